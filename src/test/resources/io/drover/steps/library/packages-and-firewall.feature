Feature: Packages and the firewall
  Scenario: Roll a package back and forward on one host
    Given I want to update hosts with identity dev1.us.example.com
    When I install version 4.2.6-1.el5 of the package mywebapp
    Then the package version for mywebapp should be 4.2.6-1.el5
    When I update the package mywebapp
    And I update the package mywebapp
    Then the package version for mywebapp should be 4.2.6-3.el5
    When I uninstall the package httpd
    Then the package httpd should not be installed
    When I install the package httpd
    Then the package httpd should be installed

  Scenario: Block and unblock a network
    Given I want to update hosts with class roles::db_server
    And I expect 2 hosts
    When I block traffic from 10.20.0.0/16
    And I block traffic from 10.20.0.0/16
    Then traffic from 10.20.0.0/16 should be blocked
    When I unblock traffic from 10.20.0.0/16
    Then traffic from 10.20.0.0/16 should be unblocked
